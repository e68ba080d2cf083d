#!/usr/bin/env python3
"""What a service costs rustc, against a reference crate, measured in one run.

usage: python3 benches/build_cost.py [--checkout DIR] [--runs N] [--target DIR] SERVICE...

(`full` as a SERVICE builds every service, its operations the sum of all specs' but auth's.)

Each round builds, in turn and each from clean with its dependencies already built:
- the reference: `aws-sdk-sqs` 1.119.0 (23 operations), the crate alone, in a scratch project
  made in a temporary folder (`cargo clean -p aws-sdk-sqs`, then `cargo build`);
- the crate of DIR (default: this checkout) with no service (`cargo build -p feishu-openapi
  --lib --no-default-features`: `auth` only), then with each SERVICE alone (`--features
  SERVICE`), each after `cargo clean -p feishu-openapi` (and, in a checkout with a crate per
  service, of the core and the service's crate), so build scripts and code generation are
  counted too.

Both are built the way a user's project builds a dependency: the default dev profile, not
incremental, whatever the caller's environment says. It prints, per build, the median CPU time
(user + system, cargo and everything it ran) and the peak resident memory of the largest
process; per service, the marginal CPU per operation ((service - no service) / operations,
operations counted in `openapi/SERVICE.yaml`), how many times cheaper than the reference's CPU
per operation that is, and that ratio in each round. CPU seconds move between runs and
machines: quote the ratios of one run. Give the same target folder to one checkout only.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile

REFERENCE = ("aws-sdk-sqs", "1.119.0", 23)
# What of the caller's environment would change how things are compiled.
DROPPED = {"RUSTFLAGS", "CARGO_ENCODED_RUSTFLAGS", "CARGO_INCREMENTAL", "CARGO_BUILD_RUSTFLAGS",
           "RUSTC_WRAPPER", "RUSTC_WORKSPACE_WRAPPER", "CLIPPY_ARGS"}


def timed(cmd, cwd, env):
    """Runs cmd; its CPU seconds (user + system) and peak RSS in MiB."""
    with tempfile.NamedTemporaryFile("r") as out:
        full = ["/usr/bin/time", "-f", "%U %S %M", "-o", out.name] + cmd
        done = subprocess.run(full, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
        if done.returncode != 0:
            sys.exit(f"failed: {' '.join(cmd)} in {cwd}\n{done.stderr[-3000:]}")
        user, system, rss = out.read().split()[-3:]
        return float(user) + float(system), int(rss) / 1024


def run(cmd, cwd, env):
    done = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)} in {cwd}\n{done.stderr[-3000:]}")


def services(checkout):
    """Every service with a feature: the specs of `openapi/` but `auth` (always built)."""
    names = sorted(name[:-5] for name in os.listdir(os.path.join(checkout, "openapi"))
                   if name.endswith(".yaml"))
    return [name for name in names if name != "auth"]


def operations(checkout, service):
    if service == "full":
        return sum(operations(checkout, s) for s in services(checkout))
    with open(os.path.join(checkout, "openapi", f"{service}.yaml"), encoding="utf-8") as spec:
        return sum(1 for line in spec if line.strip().startswith("operationId:"))


def ours_packages(checkout, features):
    """`-p` arguments for what a build with `features` compiles of ours: the crate, and where the
    checkout has a crate per service, the core and the enabled service's crate too."""
    packages = ["-p", "feishu-openapi"]
    if os.path.exists(os.path.join(checkout, "core", "Cargo.toml")):
        packages += ["-p", "feishu-openapi-core"]
        for service in features[1:]:
            for name in services(checkout) if service == "full" else [service]:
                packages += ["-p", f"feishu-openapi-{name}"]
    return packages


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--checkout", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--target", default=None, help="target folder (default: CHECKOUT/target/build-cost)")
    parser.add_argument("services", nargs="+")
    args = parser.parse_args()
    checkout = os.path.abspath(args.checkout)
    target = os.path.abspath(args.target or os.path.join(checkout, "target", "build-cost"))
    # Built as a user's project builds a dependency, as the reference is: the default dev
    # profile, not incremental (cargo compiles crates of the registry or of git that way), whatever
    # the caller's environment says.
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("CARGO_PROFILE_") and key not in DROPPED}
    env.update(CARGO_TARGET_DIR=target, CARGO_TERM_COLOR="never", CARGO_INCREMENTAL="0")

    name, version, ref_ops = REFERENCE
    reference = tempfile.mkdtemp(prefix="build-cost-reference-")
    with open(os.path.join(reference, "Cargo.toml"), "w", encoding="utf-8") as manifest:
        manifest.write(f'[package]\nname = "reference"\nversion = "0.0.0"\nedition = "2021"\n'
                       f'publish = false\n\n[dependencies]\n{name} = "={version}"\n\n[workspace]\n')
    os.makedirs(os.path.join(reference, "src"))
    open(os.path.join(reference, "src", "lib.rs"), "w", encoding="utf-8").close()
    ref_env = dict(env, CARGO_TARGET_DIR=os.path.join(reference, "target"))

    ours = [("no service", [])] + [(s, ["--features", s]) for s in args.services]
    print("building the dependencies…", file=sys.stderr)
    run(["cargo", "build", "-q"], reference, ref_env)
    # Every configuration once, so that the dependencies each one turns on (a service with
    # uploads builds reqwest with multipart) are built before any timed build.
    for _, features in ours:
        run(["cargo", "build", "-q", "-p", "feishu-openapi", "--lib", "--no-default-features"]
            + features, checkout, env)

    cpu = {label: [] for label in [name] + [label for label, _ in ours]}
    peak = {label: [] for label in cpu}
    for round_ in range(args.runs):
        print(f"round {round_ + 1} of {args.runs}…", file=sys.stderr)
        run(["cargo", "clean", "-q", "-p", name], reference, ref_env)
        c, m = timed(["cargo", "build", "-q"], reference, ref_env)
        cpu[name].append(c)
        peak[name].append(m)
        for label, features in ours:
            run(["cargo", "clean", "-q"] + ours_packages(checkout, features), checkout, env)
            c, m = timed(["cargo", "build", "-q", "-p", "feishu-openapi", "--lib",
                          "--no-default-features"] + features, checkout, env)
            cpu[label].append(c)
            peak[label].append(m)

    med = {label: statistics.median(values) for label, values in cpu.items()}
    ref_per_op = med[name] / ref_ops
    print(f"checkout: {checkout}; {args.runs} rounds; medians\n")
    print("| build | operations | CPU (user + system) | peak RSS | marginal CPU per operation | reference per operation ÷ ours |")
    print("|---|---:|---:|---:|---:|---:|")
    print(f"| `{name}` {version} alone | {ref_ops} | {med[name]:.1f} s | {statistics.median(peak[name]):.0f} MiB "
          f"| {ref_per_op:.3f} s | 1 |")
    print(f"| feishu-openapi, no service | – | {med['no service']:.1f} s | "
          f"{statistics.median(peak['no service']):.0f} MiB | – | – |")
    for service in args.services:
        ops = operations(checkout, service)
        per_op = (med[service] - med["no service"]) / ops
        ratio = ref_per_op / per_op if per_op > 0 else float("inf")
        print(f"| feishu-openapi, `{service}` | {ops} | {med[service]:.1f} s | "
              f"{statistics.median(peak[service]):.0f} MiB | {per_op:.3f} s | **{ratio:.1f}×** |")
    print("\nthe ratio in each round:")
    for service in args.services:
        ops = operations(checkout, service)
        rounds = []
        for ref, none, ours_ in zip(cpu[name], cpu["no service"], cpu[service]):
            per_op = (ours_ - none) / ops
            rounds.append(f"{(ref / ref_ops) / per_op:.1f}×" if per_op > 0 else "∞")
        print(f"- `{service}`: {', '.join(rounds)}")


if __name__ == "__main__":
    main()
