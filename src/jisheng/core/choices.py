from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    DELETE = "delete", _("Delete")
    VIEW = "view", _("View full record")
    EXPORT = "export", _("Export")
    IMPORT = "import", _("Import")
    DENIED = "denied", _("Access denied")
    LOGIN = "login", _("Log in")
    LOGOUT = "logout", _("Log out")
    LOGIN_FAILED = "login_failed", _("Failed log-in")
    TOKEN = "token", _("API token")
