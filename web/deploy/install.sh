#!/bin/bash
# Install the SnapStream site on an Amazon Linux 2023 instance, start it under systemd and wait
# until it answers its health check locally. Run as root by the instance's user data (the
# WebHosting construct), which signals this script's exit status to CloudFormation: a non-zero
# exit fails the instance, and a rolling update then rolls the release back.
#
#   install.sh --bundle ZIP [--bundle ZIP ...] --port PORT --health-path PATH \
#              --wsgi-app MODULE:APP --workers N|auto -- NAME=VALUE ...
#
# Every bundle is unpacked into /opt/snapstream/app (the site bundle brings snapstream_web/,
# requirements-site.txt and deploy/; the runtime bundle brings snapstream_runtime/). The
# NAME=VALUE settings become /etc/snapstream/web.env (root only, mode 0600), which systemd reads
# before it starts gunicorn as the unprivileged `snapstream` user.
set -euo pipefail

readonly PREFIX=/opt/snapstream
readonly APP_DIR=$PREFIX/app
readonly VENV_DIR=$PREFIX/venv
readonly ENV_DIR=/etc/snapstream
readonly ENV_FILE=$ENV_DIR/web.env
readonly UNIT=snapstream-web
readonly SERVICE_USER=snapstream
readonly PYTHON=${SNAPSTREAM_PYTHON:-python3.12}
readonly HEALTH_TIMEOUT_SECONDS=${SNAPSTREAM_HEALTH_TIMEOUT:-300}

die() {
    echo "install.sh: $*" >&2
    exit 1
}

bundles=()
settings=()
port=""
health_path=""
wsgi_app=""
workers=auto
while (($#)); do
    case $1 in
        --bundle) bundles+=("${2:?--bundle needs a path}"); shift 2 ;;
        --port) port=${2:?}; shift 2 ;;
        --health-path) health_path=${2:?}; shift 2 ;;
        --wsgi-app) wsgi_app=${2:?}; shift 2 ;;
        --workers) workers=${2:?}; shift 2 ;;
        --) shift; settings=("$@"); break ;;
        *) die "unknown argument: $1" ;;
    esac
done

((${#bundles[@]})) || die "no --bundle given"
[[ $port =~ ^[0-9]{2,5}$ ]] || die "--port must be a port number"
[[ $health_path =~ ^/[A-Za-z0-9/_.-]*$ ]] || die "--health-path must be an absolute URL path"
[[ $wsgi_app =~ ^[A-Za-z_][A-Za-z0-9_.]*:[A-Za-z_][A-Za-z0-9_]*$ ]] || die "--wsgi-app must be module:name"
if [[ $workers == auto ]]; then
    workers=$((2 * $(nproc) + 1))
fi
[[ $workers =~ ^[1-9][0-9]*$ ]] || die "--workers must be a positive number or auto"
for setting in "${settings[@]}"; do
    # One NAME=VALUE per line of an EnvironmentFile: no quotes, backslashes or control characters.
    name=${setting%%=*}
    [[ $setting == *=* && $name =~ ^[A-Z_][A-Z0-9_]*$ ]] || die "bad setting name: $name"
    case ${setting#*=} in
        *[\"\'\\]* | *[[:cntrl:]]*) die "setting $name holds a quote, backslash or control character" ;;
    esac
done

echo "install.sh: creating the service user"
if ! id -u "$SERVICE_USER" >/dev/null 2>&1; then
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin "$SERVICE_USER"
fi

echo "install.sh: unpacking ${#bundles[@]} bundle(s)"
staging=$APP_DIR.new
rm -rf "$staging"
mkdir -p "$staging"
for bundle in "${bundles[@]}"; do
    unzip -q -o "$bundle" -d "$staging"
done
[[ -f $staging/requirements-site.txt ]] || die "the site bundle has no requirements-site.txt"
[[ -f $staging/deploy/$UNIT.service ]] || die "the site bundle has no deploy/$UNIT.service"

echo "install.sh: installing the site's Python dependencies"
"$PYTHON" -m venv --clear "$VENV_DIR"
"$VENV_DIR/bin/pip" install --quiet --no-cache-dir --disable-pip-version-check --no-input \
    -r "$staging/requirements-site.txt"
[[ -x $VENV_DIR/bin/gunicorn ]] || die "requirements-site.txt must install gunicorn"
# The service cannot write bytecode (read-only file system): compile it now.
"$VENV_DIR/bin/python" -m compileall -q "$staging" >/dev/null

rm -rf "$APP_DIR.old"
if [[ -d $APP_DIR ]]; then
    mv "$APP_DIR" "$APP_DIR.old"
fi
mv "$staging" "$APP_DIR"
chown -R root:root "$PREFIX"
chmod -R u=rwX,go=rX "$PREFIX"

echo "install.sh: writing $ENV_FILE"
install -d -m 0755 -o root -g root "$ENV_DIR"
env_tmp=$(mktemp "$ENV_DIR/.web.env.XXXXXX")
chmod 0600 "$env_tmp"
printf '%s\n' "${settings[@]}" >"$env_tmp"
chown root:root "$env_tmp"
mv -f "$env_tmp" "$ENV_FILE"

echo "install.sh: installing the $UNIT unit"
sed -e "s|@APP_DIR@|$APP_DIR|g" \
    -e "s|@VENV_DIR@|$VENV_DIR|g" \
    -e "s|@WORKERS@|$workers|g" \
    -e "s|@PORT@|$port|g" \
    -e "s|@WSGI_APP@|$wsgi_app|g" \
    "$APP_DIR/deploy/$UNIT.service" >"/etc/systemd/system/$UNIT.service"
chmod 0644 "/etc/systemd/system/$UNIT.service"
systemctl daemon-reload
systemctl enable "$UNIT"
systemctl restart "$UNIT"

echo "install.sh: waiting for http://127.0.0.1:$port$health_path"
deadline=$((SECONDS + HEALTH_TIMEOUT_SECONDS))
until curl --silent --fail --output /dev/null --max-time 5 "http://127.0.0.1:$port$health_path"; do
    if ((SECONDS >= deadline)); then
        systemctl --no-pager status "$UNIT" >&2 || true
        journalctl --no-pager --unit "$UNIT" --lines 200 >&2 || true
        die "the site did not answer $health_path within ${HEALTH_TIMEOUT_SECONDS}s"
    fi
    sleep 3
done
echo "install.sh: the site is healthy"
