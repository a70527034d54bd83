"""cached_db sessions whose updates cost one SQL statement instead of three.

Django's database store wraps every save in `transaction.atomic()`, so a cart change
is BEGIN, UPDATE, COMMIT: three round trips. The atomic block only matters when
creating a session (a key collision must raise CreateError); a single UPDATE is
atomic by itself. Sessions stay written through to PostgreSQL (a Redis restart loses
no cart), only the needless transaction goes. SESSION_ENGINE = "core.sessions".
"""

import logging

from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.backends.base import UpdateError
from django.db import router

logger = logging.getLogger(__name__)


class SessionStore(cached_db.SessionStore):
    def save(self, must_create=False):
        if must_create or self.session_key is None:
            return super().save(must_create=must_create)
        obj = self.create_model_instance(self._get_session())
        using = router.db_for_write(self.model, instance=obj)
        updated = (
            self.model._default_manager.using(using)
            .filter(session_key=obj.session_key)
            .update(session_data=obj.session_data, expire_date=obj.expire_date)
        )
        if not updated:  # deleted meanwhile (logout elsewhere, clearsessions)
            raise UpdateError
        try:
            self._cache.set(self.cache_key, self._session, self.get_expiry_age())
        except Exception:
            logger.exception("Error saving to cache (%s)", self._cache)
