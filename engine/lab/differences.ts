/**
 * What is true of a lab and not of a production cluster: what a drill's report lists so that a rehearsal
 * that went well is not read as proof of more than it showed. Facts of how `lab up` builds nodes only.
 */

export interface LabDifference {
  readonly title: string;
  readonly detail: string;
}

export function labDifferences(options: { readonly registry: boolean; readonly warnings?: readonly string[] }): LabDifference[] {
  return [
    {
      title: 'One host kernel for every node',
      detail:
        "Each node is a network and UTS namespace of this machine, with its own sshd, dockerd and data directories but this machine's kernel, " +
        'file system, process table, CPUs and memory. Kernel modules and parameters, the clock and the disks are the same for all nodes.',
    },
    {
      title: 'The system paths of a node are directories of this machine, and systemctl knows only Docker',
      detail:
        "A session on a node sees its own /etc/docker, /var/lib/docker, /var/backups and /run (where /run/docker.pid is its dockerd's); the rest " +
        "of the file system is this machine's, shared by every node. systemctl on a node starts, stops, restarts and reloads that node's dockerd " +
        '(no systemd: no unit files, no docker.socket activation) and refuses anything else.',
    },
    {
      title: 'No device-mapper, so no LVM thin pools',
      detail:
        "This kernel has no device-mapper (/dev/mapper/control is missing): LVM thin pools and Docker's devicemapper storage driver cannot run, " +
        'and nodes store images with overlay2. Steps that build or check a thin pool ran their orchestration (upload, arguments, exit codes), not a pool.',
    },
    {
      title: 'Power is killing and starting processes, not IPMI',
      detail:
        "The inventory's power commands are replaced by `runbook lab power`. Off stops the node's processes (graceful: dockerd shuts down first; " +
        "hard: the node's cgroup is frozen and killed at once); on starts sshd and dockerd again on the same data. No BMC, no firmware, no kernel boot.",
    },
    {
      title: 'No ip_vs: no VIPs, no routing-mesh ingress load balancing',
      detail:
        'Service virtual IPs and the ingress routing mesh (ports published in ingress mode) do not work here; the lab publishes ports in host mode ' +
        'and uses endpoint_mode dnsrr. Overlay networks across nodes and tasks.<service> DNS do work.',
    },
    ...(options.registry
      ? [
          {
            title: 'An insecure local registry',
            detail:
              "The lab's registry (Debian's docker-registry) serves plain HTTP on port 5000 of the first manager, without TLS or authentication; " +
              'every node trusts it through insecure-registries in its daemon.json. It holds only the images the lab pushed (lab/busybox:1, lab/registry:1).',
          },
        ]
      : []),
    {
      title: 'No internet, lab images only',
      detail:
        "Anything a node sends outside the lab's bridge is rejected. Images are the ones the lab imported (busybox-static as lab/busybox:1)" +
        (options.registry ? ' or pushed to its registry.' : '; this lab has no registry.'),
    },
    {
      title: 'Lab addresses, SSH keys and Docker version',
      detail:
        "Nodes keep the inventory's names, roles, labels and groups, but get addresses on one lab bridge (no latency, no loss, no firewall between them), " +
        "and SSH logs in as root with the lab's generated key. Every node runs Debian's Docker Engine 20.10.",
    },
    {
      title: 'Gates answered by --yes, timing of a shared machine',
      detail:
        'A drill runs with --yes, so no person was asked. All nodes share the CPUs of this machine: durations here say little about production.',
    },
    ...(options.warnings ?? []).map((w) => ({ title: 'Left out of this lab', detail: w })),
  ];
}
