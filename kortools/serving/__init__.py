"""Serving the dashboards to many visitors: the kernel cap for Voila (issue #14).

Imports nothing from the model: the Voila server process stays small.
"""

from kortools.serving.template_cache import install as _install_template_cache

_install_template_cache()  # in the Voila server: one compiled copy of each page template
