from jisheng.core.registry import register_grants

# The assessors read the widgets (a role whose menu the other tests barely look at).
GRANTS = {"assessor": ["plugin_app.view_widget"]}


def register() -> None:
    register_grants(GRANTS)
