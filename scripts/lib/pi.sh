# The Raspberry Pi (aarch64) cross toolchain, sourced by scripts/build-pi and scripts/test.
# Defines pi_target, pi_toolchain (the Rust target and Debian's cross gcc, installed when
# missing) and pi_emulator (Debian's qemu-user, to run the build here).

pi_target=aarch64-unknown-linux-gnu

# Installs Debian packages named in "$@" (apt-get needs root; the machines run as root).
pi_apt_install() {
    if [[ $(id -u) -ne 0 ]]; then
        echo "missing Debian packages: $* (run as root, or apt-get install them)" >&2
        return 1
    fi
    echo "==> apt-get install $*"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# The Rust standard library for the Pi and the cross linker named in .cargo/config.toml.
pi_toolchain() {
    if ! rustup target list --installed | grep -qx "$pi_target"; then
        rustup target add "$pi_target"
    fi
    if ! command -v aarch64-linux-gnu-gcc >/dev/null; then
        pi_apt_install gcc-aarch64-linux-gnu libc6-dev-arm64-cross
    fi
}

# qemu-aarch64, which runs an aarch64 Linux binary on this machine (timings mean nothing).
pi_emulator() {
    if ! command -v qemu-aarch64 >/dev/null; then
        pi_apt_install qemu-user
    fi
}
