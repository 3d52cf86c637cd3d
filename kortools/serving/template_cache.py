"""One compiled copy of each page template for the whole Voila server (issue #22 item 3).

Voila makes a new nbconvert exporter, and with it a new Jinja environment, for every page
it serves, so every visitor's page parsed and compiled the lab template and its includes
again: measured with py-spy during a burst of 50 visitors, Jinja's compiler took about 70 %
of the server process's CPU (1,375 of 1,989 busy samples). Jinja's own remedy is a
bytecode cache, which an environment consults before it compiles a template (checked
against the template's source, so an edited template is compiled again). nbconvert builds
the environment in ``TemplateExporter._create_environment`` and offers no setting for it;
:func:`install` gives every environment it makes this one in-memory cache. Nothing else
about rendering changes.
"""

from __future__ import annotations

import sys

from jinja2 import BytecodeCache
from jinja2.bccache import Bucket


class MemoryBytecodeCache(BytecodeCache):
    """Compiled templates in this process's memory, by Jinja's key (name and file)."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self.code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)  # ignored by Jinja when the source changed

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()

    def clear(self) -> None:
        self.code.clear()


CACHE = MemoryBytecodeCache()


def install() -> bool:
    """Give each Jinja environment nbconvert creates :data:`CACHE`; only in a process that
    has imported nbconvert's exporters already (the Voila server), never importing them
    (a kernel stays small). True when installed (or already)."""
    module = sys.modules.get("nbconvert.exporters.templateexporter")
    if module is None:
        return False
    exporter = module.TemplateExporter
    if getattr(exporter, "_kortools_bytecode_cache", False):
        return True
    create = exporter._create_environment

    def create_environment(self):
        environment = create(self)
        environment.bytecode_cache = CACHE
        return environment

    exporter._create_environment = create_environment
    exporter._kortools_bytecode_cache = True
    return True
