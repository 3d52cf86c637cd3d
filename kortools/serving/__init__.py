"""Serving the dashboards to many visitors: the kernel cap for Voila (issue #14).

Imports nothing from the model: the Voila server process stays small.
"""
