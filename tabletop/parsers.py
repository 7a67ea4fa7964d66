"""The REST API's JSON parser: every malformed body is a 400, however deep it is nested."""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from scenarios.parsing import MAX_DEPTH, document_depth_problem
from tabletop.storable import UNSTORABLE, unstorable_path


class UnstorableText(ParseError):
    """A JSON body holds text no database can store, at `field` (`terms[0].lever`)."""

    def __init__(self, field: str):
        super().__init__(f"The field '{field}' {UNSTORABLE}. Remove it and send again.", "invalid")
        self.field = field


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser, plus a cap on nesting (``MAX_DEPTH`` levels) and a refusal of text
    no database can store (a NUL or a lone surrogate, which JSON escapes can carry).

    Python's decoder raises RecursionError (not ValueError, which DRF turns into a 400) on a
    body nested about a thousand levels deep; a body just under that passes the decoder and
    breaks whatever walks it next. No request of this API needs more than a few levels.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON parse error - nested deeper than {MAX_DEPTH} levels") from None
        problem = document_depth_problem(data)
        if problem is not None:
            raise ParseError(f"JSON parse error - {problem}")
        field = unstorable_path(data)
        if field is not None:
            raise UnstorableText(field or "body")
        return data
