"""Flask extensions of the web side (forms' CSRF, languages, logins),
created unbound and initialised by the app factory.  The database's are in
:mod:`surveyapp.database`."""

from flask_babel import Babel, lazy_gettext
from flask_login import LoginManager
from flask_wtf import CSRFProtect

csrf = CSRFProtect()
babel = Babel()
login_manager = LoginManager()
login_manager.login_view = "admin.login"
login_manager.login_message = lazy_gettext("Please log in to continue.")
# A request, not an achievement: shown in neutral colours (admin/_flashes.html).
login_manager.login_message_category = "info"
