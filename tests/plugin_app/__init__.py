"""A test app that plugs into jisheng only through ``jisheng.core.registry`` (issue 14
item 1): a menu item, a role grant, an API router, an importer, a job, a worklist
source and its pages, with no edit to any central file. Installed by the test settings
only (``jisheng.settings.test``)."""
