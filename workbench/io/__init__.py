"""Readers and writers of outside formats (RVTools exports, vendor baskets, xlsx).

Modules here turn files into pandas DataFrames and dataclasses; they never touch the store.
"""
