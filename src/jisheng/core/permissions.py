"""Core's role grants: the audit log and the system status (role codes as strings —
``core`` imports no domain app, ``jisheng.orgs.choices.Role`` names them)."""

from __future__ import annotations

from jisheng.core.registry import register_grants


def register() -> None:
    register_grants(
        {
            "admin": ["core.view_auditevent", "core.view_workerheartbeat"],  # 系统状态
            "auditor": ["core.view_auditevent"],
        }
    )
