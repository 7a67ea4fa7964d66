# The Red Lines web process (daphne). Configuration comes from the environment (README).
# Runs as an unprivileged user, with the runtime dependencies only (no test or lint tools).
FROM python:3.13-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
# Pango and a font for WeasyPrint (the PDF report); the charts use the same DejaVu font.
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
COPY requirements-runtime.lock ./
# The runtime set only (no test or lint tools), the same versions as requirements.lock, every
# file checked against its hash (bin/lock makes both files).
RUN pip install --no-cache-dir --require-hashes -r requirements-runtime.lock
COPY . .
# Production mode (DEBUG off) so the hashed-name manifest that production serves is built;
# the key only satisfies the settings' check and is not kept.
RUN SECRET_KEY=collectstatic-only-not-a-secret python manage.py collectstatic --noinput
RUN useradd --system --uid 10001 --no-create-home --home-dir /app redlines
USER redlines
EXPOSE 8000
CMD ["sh", "-c", "python manage.py migrate --noinput && python manage.py load_bundled_scenarios --keep-existing && exec daphne -b 0.0.0.0 -p 8000 tabletop.asgi:application"]
