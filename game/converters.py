"""The `<gamecode:code>` URL converter: a path that cannot be a join code is a plain 404.

Without it a code with a NUL or other odd characters reached the database (PostgreSQL
refuses NUL in text: a 500). Join codes are letters and digits (game.models); the lower case
is accepted because codes are typed on phones and upper-cased by the views.
"""

from django.urls import register_converter


class GameCodeConverter:
    regex = "[A-Za-z0-9]{1,12}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(GameCodeConverter, "gamecode")
