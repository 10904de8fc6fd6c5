"""Shared test support: named users over the real divisions of 广州市, and the permission-matrix helper."""
