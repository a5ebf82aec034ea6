# Sourced by ./run-tests (and so by .ci/run): installs the Debian packages the tests start for
# real when they are missing. Today: redis-server (the fleet-limit tests run one on a loopback port).
netkit_ensure_packages() {
    local missing=()
    command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=""
    if [ "$(id -u)" != 0 ]; then
        command -v sudo >/dev/null 2>&1 || { echo "run-tests: the tests need ${missing[*]}: install it (apt-get install ${missing[*]})" >&2; exit 1; }
        sudo="sudo"
    fi
    echo "run-tests: installing ${missing[*]} (apt-get)" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}
