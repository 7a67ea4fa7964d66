"""Error codes the service layer itself refuses with (Django-free, so protocol clients and
docs can import it; the engine's rule codes are game.engine.ERROR_CODES)."""

SERVICE_ERROR_CODES = {
    "not_seated": "the player was moved or removed an instant before this command arrived",
}
