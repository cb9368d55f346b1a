"""One typed settings object with documented defaults.

Precedence, lowest first: the defaults (model.py), a TOML file (``serpaudit.toml`` in the working
directory, or the file named by ``--config`` / ``SERPAUDIT_CONFIG``), then environment variables
``SERPAUDIT_<FIELD>`` (upper case; lists comma-separated); loading.py reads them, validation.py checks
them, template.py writes the commented file ``serpaudit init`` creates.
"""

from serpaudit.settings.loading import load_settings
from serpaudit.settings.model import DEFAULT_CONFIG_NAME, Settings, SettingsError
from serpaudit.settings.template import DEPRECATED, settings_toml

__all__ = ["DEFAULT_CONFIG_NAME", "DEPRECATED", "Settings", "SettingsError", "load_settings", "settings_toml"]
