"""The password door of ``make serve`` (kortools/serving/door.py; issue #31 item 4).

nginx asks the door about every request; the cluster test drives it through nginx. Here its
decisions, one address at a time, on a clock the test moves."""

from __future__ import annotations

import base64

import pytest

from kortools.serving.door import ALLOWED, ASK, THROTTLED, Door


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


RIGHT, WRONG = basic("adviseur", "geheim"), basic("adviseur", "fout")


def test_the_right_password_is_let_in_and_a_wrong_one_asked_again():
    door = Door("adviseur", "geheim")
    assert door.decide(RIGHT, "10.0.0.1", now=0) == ALLOWED
    assert door.decide(WRONG, "10.0.0.1", now=0) == ASK
    assert door.decide("", "10.0.0.1", now=0) == ASK  # the browser's first request
    assert door.decide(basic("iemand", "geheim"), "10.0.0.1", now=0) == ASK


@pytest.mark.parametrize("header", ["Bearer abc", "Basic !!!", "Basic", "basic " + "x" * 5000])
def test_a_credential_of_another_shape_is_a_wrong_one(header):
    assert Door("adviseur", "geheim").decide(header, "10.0.0.1", now=0) == ASK


def test_a_throttled_address_gets_the_same_answer_for_the_right_password():
    door = Door("adviseur", "geheim")
    answers = [door.decide(WRONG, "10.0.0.1", now=0) for _ in range(10)]
    assert answers == [ASK] * 10  # ten quick mistakes are allowed
    # the 11th request, right or wrong: refused unchecked (no oracle)
    assert door.decide(WRONG, "10.0.0.1", now=0.1) == THROTTLED
    assert door.decide(RIGHT, "10.0.0.1", now=0.1) == THROTTLED
    # another address is not held up
    assert door.decide(RIGHT, "10.0.0.2", now=0.1) == ALLOWED
    # one guess per 2 s comes back: at 0 + 2 s one token
    assert door.decide(RIGHT, "10.0.0.1", now=2.0) == ALLOWED


def test_guessing_while_throttled_gains_nothing():
    # 1,000 guesses in 100 s from one address: 10 at once, then one per 2 s are checked
    door = Door("adviseur", "geheim")
    checked = sum(door.decide(WRONG, "10.0.0.1", now=i / 10) == ASK for i in range(1_000))
    assert checked <= 10 + 100 / 2 + 1
