# The Red Lines web process (daphne). Configuration comes from the environment (README).
# Runs as an unprivileged user, with the runtime dependencies only (no test or lint tools).
FROM python:3.13-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.lock ./
# requirements.lock pins the development set too; leave the test and lint tools out.
RUN grep -viE '^(pytest|pytest-[a-z-]+|hypothesis|sortedcontainers|iniconfig|pluggy|pygments|ruff)==' \
        requirements.lock > requirements.runtime \
    && pip install --no-cache-dir -r requirements.runtime \
    && rm requirements.runtime
COPY . .
# Production mode (DEBUG off) so the hashed-name manifest that production serves is built;
# the key only satisfies the settings' check and is not kept.
RUN SECRET_KEY=collectstatic-only-not-a-secret python manage.py collectstatic --noinput
RUN useradd --system --uid 10001 --no-create-home --home-dir /app redlines
USER redlines
EXPOSE 8000
CMD ["sh", "-c", "python manage.py migrate --noinput && python manage.py load_bundled_scenarios --keep-existing && exec daphne -b 0.0.0.0 -p 8000 tabletop.asgi:application"]
