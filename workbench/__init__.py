"""Infra Workbench."""
