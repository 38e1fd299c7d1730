#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for testing `ptq sweep --launcher slurm`:
# Debian's slurm-wlm + munge, slurmctld and slurmd on localhost, state under $PTQ_SLURM_DIR
# (default /tmp/ptq-slurm). Needs root (munged and slurmd run as root here).
#   scripts/slurm_local.sh start   # prints the SLURM_CONF to export; exit 1 when Slurm cannot start
#   scripts/slurm_local.sh stop
# Install first: apt-get install slurm-wlm munge (scripts/setup.sh does not: only this test needs it).
set -euo pipefail
dir=${PTQ_SLURM_DIR:-/tmp/ptq-slurm}
conf=$dir/slurm.conf
cmd=${1:-start}

stop() {
  for d in slurmd slurmctld; do
    [[ -f $dir/$d.pid ]] && kill "$(cat "$dir/$d.pid")" 2>/dev/null || true
  done
  sleep 1
}

if [[ $cmd == stop ]]; then stop; exit 0; fi
[[ $cmd == start ]] || { echo "usage: $0 start|stop" >&2; exit 2; }
for b in slurmctld slurmd munged sbatch squeue sinfo; do
  command -v "$b" >/dev/null || { echo "slurm_local: $b not found (apt-get install slurm-wlm munge)" >&2; exit 1; }
done
[[ $(id -u) == 0 ]] || { echo "slurm_local: needs root" >&2; exit 1; }
stop
mkdir -p "$dir"/{state,spool,log}
host=$(hostname -s)
cpus=$(nproc)
mem=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 / 2 ))
cat > "$conf" <<CONF
ClusterName=ptqtest
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
SchedulerType=sched/backfill
NodeName=$host CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
# munge: a key and a running daemon.
if ! pgrep -x munged >/dev/null; then
  [[ -f /etc/munge/munge.key ]] || { mkdir -p /etc/munge; dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 2>/dev/null; }
  chown -R munge:munge /etc/munge 2>/dev/null || true
  chmod 400 /etc/munge/munge.key
  mkdir -p /run/munge /var/log/munge /var/lib/munge
  chown munge:munge /run/munge /var/log/munge /var/lib/munge 2>/dev/null || true
  if id munge >/dev/null 2>&1; then su -s /bin/sh munge -c "munged --force" || munged --force; else munged --force; fi
fi
export SLURM_CONF=$conf
slurmctld -f "$conf"
slurmd -f "$conf"
up=0
for _ in $(seq 1 30); do
  if sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then up=1; break; fi
  sleep 1
done
if ((!up)); then
  echo "slurm_local: the node did not come up; see $dir/log/" >&2
  sinfo >&2 || true
  exit 1
fi
# A node can be up and still unable to start jobs (containers without the needed privileges):
# run one trivial job before saying yes.
rm -f "$dir/probe.ok"
probe=$(sbatch --parsable --output=/dev/null --wrap="touch $dir/probe.ok" 2>&1) ||
  { echo "slurm_local: sbatch failed: $probe" >&2; exit 1; }
for _ in $(seq 1 30); do
  if [[ -z $(squeue -h -j "$probe" 2>/dev/null) ]]; then
    if [[ -f $dir/probe.ok ]]; then echo "$conf"; exit 0; fi
    echo "slurm_local: the probe job ended without running its command; see $dir/log/" >&2
    exit 1
  fi
  sleep 1
done
echo "slurm_local: the probe job did not run within 30 s; see $dir/log/" >&2
exit 1
