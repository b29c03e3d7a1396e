#!/bin/bash
# Creates the LVM thin pool docker/thinpool on a raw device for Docker's devicemapper storage driver
# (direct-lvm), following Docker's "Configure direct-lvm mode manually". Safe to run again: every step
# checks whether it is already done. It refuses a device that is mounted, partitioned or carries a
# signature (a filesystem, another LVM) unless --force is given.
#
# usage: docker-thinpool.sh DEVICE [--force]
set -eu

fail() { echo "docker-thinpool: $*" >&2; exit 1; }

[ $# -ge 1 ] && [ $# -le 2 ] || fail "usage: $0 DEVICE [--force]"
device=$1
force=${2:-}
[ -z "$force" ] || [ "$force" = "--force" ] || fail "unknown option: $force (only --force)"

[ -e "$device" ] || fail "device not found: $device"
[ -b "$device" ] || fail "not a block device: $device"
for tool in pvcreate vgcreate lvcreate lvconvert lvchange lvs pvs wipefs lsblk; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool is missing: install lvm2 and thin-provisioning-tools (device-mapper-persistent-data on RHEL)"
done

pool_type() { lvs --noheadings -o segtype docker/thinpool 2>/dev/null | tr -d ' '; }

if [ "$(pool_type)" = "thin-pool" ]; then
  echo "docker/thinpool already exists"
else
  if pvs --noheadings -o vg_name "$device" 2>/dev/null | grep -qw docker; then
    echo "$device is already a physical volume of VG docker"
  else
    if [ "$force" != "--force" ]; then
      mounted=$(lsblk -n -o MOUNTPOINT "$device" | tr -d ' \n')
      [ -z "$mounted" ] || fail "$device (or a partition of it) is mounted at $mounted"
      parts=$(lsblk -n -o TYPE "$device" | grep -c part || true)
      [ "$parts" -eq 0 ] || fail "$device has $parts partition(s); give the raw device of an empty disk"
      sigs=$(wipefs -n "$device" 2>/dev/null | tail -n +2 | wc -l)
      [ "$sigs" -eq 0 ] || fail "$device carries $sigs signature(s) (a filesystem or LVM?); check it, then pass --force"
    fi
    pvcreate "$device"
    vgcreate docker "$device"
  fi
  # A run cut off between the two lvcreates and lvconvert resumes where it stopped.
  lvs docker/thinpool >/dev/null 2>&1 || lvcreate --wipesignatures y -n thinpool docker -l 95%VG
  lvs docker/thinpoolmeta >/dev/null 2>&1 || lvcreate --wipesignatures y -n thinpoolmeta docker -l 1%VG
  lvconvert -y --zero n -c 512K --thinpool docker/thinpool --poolmetadata docker/thinpoolmeta
fi

profile=/etc/lvm/profile/docker-thinpool.profile
wanted='activation {
  thin_pool_autoextend_threshold=80
  thin_pool_autoextend_percent=20
}'
if [ "$(cat "$profile" 2>/dev/null || true)" != "$wanted" ]; then
  mkdir -p /etc/lvm/profile
  printf '%s\n' "$wanted" > "$profile.new" && mv -f "$profile.new" "$profile"
fi
lvchange --metadataprofile docker-thinpool docker/thinpool
# Without monitoring, autoextend never happens.
if [ "$(lvs --noheadings -o seg_monitor docker/thinpool | tr -d ' ')" != "monitored" ]; then
  lvchange --monitor y docker/thinpool
fi
lvs -o+seg_monitor docker/thinpool
