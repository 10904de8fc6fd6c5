"""Shegong 社会工作信息平台."""
