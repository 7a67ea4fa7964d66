"""The seats a browser holds, kept in its Django session: one player token per game code.

The join page and the REST join write it; the socket, the REST API and the join page read it.
"""

SESSION_PLAYERS_KEY = "redlines_players"


def session_player_token(session, game_code: str) -> str | None:
    """The token this session holds for the game, if any (`session` may be None)."""
    return (session or {}).get(SESSION_PLAYERS_KEY, {}).get(game_code)


def session_remember_player(session, game_code: str, token: str) -> None:
    players = dict(session.get(SESSION_PLAYERS_KEY, {}))
    players[game_code] = token
    session[SESSION_PLAYERS_KEY] = players
