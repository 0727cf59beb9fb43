from jisheng.core.registry import MenuItem, MenuSection, register_menu_item, register_menu_section

SECTION = MenuSection(key="plugin", label="Plugin module", icon="bi-puzzle", order=900)
ITEM = MenuItem(
    "plugin_app:widgets",
    "Widgets",
    "bi-gear-wide",
    permission="plugin_app.view_widget",
    section=SECTION.key,
    order=10,
)


def register() -> None:
    register_menu_section(SECTION)
    register_menu_item(ITEM)
