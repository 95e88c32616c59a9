"""gunicorn's settings for the example: `.venv/bin/gunicorn -c gunicorn.conf.py`."""
import os

wsgi_app = "hubdemo.wsgi"
bind = f"127.0.0.1:{os.environ['APP_PORT']}"
# Threads, because `/` calls the app's own `/api/me` while it answers.
threads = 4
# gunicorn 27 opens a control socket in ~/.gunicorn by default, which a second
# instance on the same machine would fight over; the example needs none.
control_socket_disable = True
