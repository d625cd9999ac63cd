#!/bin/sh
# Start the Tripartite web server: apply migrations, collect static files, then
# hand the process over to gunicorn so that it receives the container's signals.
set -eu

cd "$(dirname "$0")/.."

# migrate runs the system checks first: among them, NOTES_KEY must still hold every key
# that encrypted the notes and intake answers stored, or the server does not start.
python manage.py migrate --no-input
python manage.py collectstatic --no-input

# The access log never records the URL: paths and query strings can carry the
# secret tokens of signing and review links. It keeps the client address, method,
# status, response size in bytes and the time taken in milliseconds.
exec gunicorn coaching.wsgi:application \
    --bind 0.0.0.0:8000 \
    --workers "${WEB_CONCURRENCY:-3}" \
    --worker-tmp-dir /dev/shm \
    --access-logfile - \
    --access-logformat '%(h)s %(m)s %(s)s %(B)s %(M)sms'
