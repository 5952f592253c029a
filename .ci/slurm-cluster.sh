#!/bin/bash
# A real one-node Slurm cluster on this machine, for the Slurm test:
#   .ci/slurm-cluster.sh install   apt packages (Slurm, munge, slurmdbd, MariaDB); starts nothing
#   .ci/slurm-cluster.sh start     configure for this host, start the daemons, record their PIDs
#   .ci/slurm-cluster.sh stop      stop exactly the daemons that `start` recorded
# Accounting (slurmdbd + MariaDB) is what lets `sacct` show the jobs afterwards. The node
# advertises one count-only GPU per core, so jobs that ask for `--gpus=1` can be scheduled
# (nothing runs on them). Needs root; made for CI machines and throwaway containers without systemd.
set -euo pipefail
STATE=${SLURM_TEST_STATE:-/tmp/mnist1d-slurm}
PIDS=$STATE/pids
HOST=$(hostname -s)
CLUSTER=mnist1d
ACCOUNT=mnist1d

install_packages() {
    export DEBIAN_FRONTEND=noninteractive
    local policy=/usr/sbin/policy-rc.d created=0
    # package scripts must not start daemons themselves
    if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod +x "$policy"; created=1; fi
    # a run killed mid-install (a session that ended, a CI timeout) leaves dpkg half-configured,
    # and apt-get then refuses everything until this is run
    dpkg --configure -a > /dev/null
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends \
        slurm-wlm slurmdbd slurm-client munge mariadb-server mariadb-client > /dev/null
    if [ "$created" = 1 ]; then rm -f "$policy"; fi
}

write_config() {
    local cpus mem
    cpus=$(nproc)
    mem=$(( $(free -m | awk '/^Mem:/{print $2}') * 90 / 100 ))
    mkdir -p /etc/slurm /var/lib/slurm/slurmctld /var/lib/slurm/slurmd /var/log/slurm
    chown slurm:slurm /var/lib/slurm/slurmctld /var/lib/slurm/slurmd /var/log/slurm
    # One count-only "GPU" per core, so that jobs asking for a GPU still run as many at once as
    # jobs that do not. A GPU GRES needs a File= or slurmd drains the node; any file does for
    # scheduling (nothing confines devices here).
    mkdir -p "$STATE/fake-gpus"
    : > /etc/slurm/gres.conf
    for i in $(seq 0 $((cpus - 1))); do
        touch "$STATE/fake-gpus/gpu$i"
        echo "NodeName=$HOST Name=gpu File=$STATE/fake-gpus/gpu$i" >> /etc/slurm/gres.conf
    done
    cat > /etc/slurm/slurm.conf <<CONF
ClusterName=$CLUSTER
SlurmctldHost=$HOST
AuthType=auth/munge
CredType=cred/munge
SlurmUser=slurm
StateSaveLocation=/var/lib/slurm/slurmctld
SlurmdSpoolDir=/var/lib/slurm/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/affinity
JobAcctGatherType=jobacct_gather/linux
MpiDefault=none
SwitchType=switch/none
ReturnToService=2
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
# without a default, a job that gives no --mem takes the whole node
DefMemPerCPU=1000
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
AccountingStorageTRES=gres/gpu
# keep --comment (the Snakemake plugin writes the rule name there) for sacct
AccountingStoreFlags=job_comment
JobCompType=jobcomp/none
GresTypes=gpu
MinJobAge=300
KillWait=5
InactiveLimit=0
NodeName=$HOST CPUs=$cpus RealMemory=$mem Gres=gpu:$cpus State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
    cat > /etc/slurm/slurmdbd.conf <<CONF
AuthType=auth/munge
DbdHost=localhost
SlurmUser=slurm
LogFile=/var/log/slurm/slurmdbd.log
PidFile=/run/slurmdbd.pid
StorageType=accounting_storage/mysql
StorageHost=localhost
StorageUser=slurm
StoragePass=slurm
StorageLoc=slurm_acct_db
CONF
    chown slurm:slurm /etc/slurm/slurmdbd.conf
    chmod 600 /etc/slurm/slurmdbd.conf
}

wait_for() {  # what, seconds, command...
    local what=$1 seconds=$2
    shift 2
    for _ in $(seq $((seconds * 10))); do
        if "$@" > /dev/null 2>&1; then return 0; fi
        sleep 0.1
    done
    echo "slurm-cluster: timed out waiting for $what" >&2
    return 1
}

record() { cp "$2" "$PIDS/$1.pid"; }

start() {
    mkdir -p "$PIDS" "$STATE/logs"
    if scontrol ping > /dev/null 2>&1 && sinfo -h > /dev/null 2>&1; then
        echo "slurm-cluster: a Slurm cluster is already running; using it and starting nothing"
        sinfo
        return 0
    fi
    write_config
    if ! (munge -n | unmunge) > /dev/null 2>&1; then
        mkdir -p /run/munge && chown munge:munge /run/munge && chmod 0755 /run/munge
        runuser -u munge -- /usr/sbin/munged
        wait_for munged 10 bash -c 'munge -n | unmunge'
        record munged /run/munge/munged.pid
    fi

    if ! mariadb -uroot -e 'select 1' > /dev/null 2>&1; then
        mkdir -p /run/mysqld && chown mysql:root /run/mysqld
        setsid /usr/sbin/mariadbd --user=mysql --innodb-buffer-pool-size=128M > "$STATE/logs/mariadbd.log" 2>&1 < /dev/null &
        echo $! > "$PIDS/mariadbd.pid"
        wait_for MariaDB 60 mariadb -uroot -e 'select 1'
    fi
    mariadb -uroot -e "CREATE DATABASE IF NOT EXISTS slurm_acct_db;
        CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED BY 'slurm';
        GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost'; FLUSH PRIVILEGES;"

    /usr/sbin/slurmdbd
    wait_for slurmdbd 60 sacctmgr -n show cluster
    record slurmdbd /run/slurmdbd.pid
    sacctmgr -i add cluster "$CLUSTER" > /dev/null 2>&1 || true

    # -c: forget jobs and node states saved by an earlier cluster (a run cut off mid-way leaves
    # its jobs in the state files, and the recovered node then never becomes idle)
    /usr/sbin/slurmctld -c
    wait_for slurmctld 60 scontrol ping
    record slurmctld /run/slurmctld.pid

    /usr/sbin/slurmd
    wait_for slurmd 60 bash -c "scontrol show node $HOST | grep -q 'SlurmdStartTime=[0-9]'"
    record slurmd /run/slurmd.pid
    scontrol update nodename="$HOST" state=resume > /dev/null 2>&1 || true  # a node drained by an earlier run
    wait_for "an idle node" 60 bash -c "sinfo -h -N -o '%T' | grep -qx idle"

    # the Slurm plugin looks up the user's account
    sacctmgr -i add account "$ACCOUNT" Cluster="$CLUSTER" Description=tests Organization=tests > /dev/null 2>&1 || true
    sacctmgr -i add user "$(id -un)" Account="$ACCOUNT" DefaultAccount="$ACCOUNT" > /dev/null 2>&1 || true
    sinfo
}

stop() {
    # only a cluster this script started: its jobs, then its daemons
    [ -s "$PIDS/slurmctld.pid" ] && scancel --user="$(id -un)" 2> /dev/null || true
    for daemon in slurmd slurmctld slurmdbd mariadbd munged; do
        local file=$PIDS/$daemon.pid pid
        [ -s "$file" ] || continue
        pid=$(cat "$file")
        if kill -0 "$pid" 2> /dev/null; then
            kill -TERM "$pid"
            for _ in $(seq 150); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
            kill -0 "$pid" 2> /dev/null && kill -KILL "$pid"
        fi
        rm -f "$file"
    done
    # stale PID files make Debian's package scripts fail later
    for file in /run/slurmctld.pid /run/slurmd.pid /run/slurmdbd.pid; do
        if [ -s "$file" ] && ! kill -0 "$(cat "$file")" 2> /dev/null; then rm -f "$file"; fi
    done
}

case "${1:-}" in
    install) install_packages ;;
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 install|start|stop" >&2; exit 2 ;;
esac
