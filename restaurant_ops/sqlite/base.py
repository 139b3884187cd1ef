"""Django's SQLite backend (the embedded default) that makes the database's folder on first connect,
so importing the settings creates nothing and `./var` appears only when something uses it."""

from pathlib import Path

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        database = str(conn_params["database"])
        if database != ":memory:" and not database.startswith("file:"):  # in-memory test databases
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        return super().get_new_connection(conn_params)
