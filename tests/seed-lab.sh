#!/bin/bash
# The seed's "final summary script": red/blue over bridge v-net-0 (typo veth-blie fixed).
# A copy of ../shared/lab/seed-lab.sh, the course's hand-built lab, so the tests
# run from a clone that has no ../shared. Keep its commands in step with it.
set -e
ip netns add red
ip netns add blue
ip link add v-net-0 type bridge
ip link set dev v-net-0 up
ip link add veth-red type veth peer name veth-red-br
ip link add veth-blue type veth peer name veth-blue-br
ip link set veth-red netns red
ip link set veth-red-br master v-net-0
ip link set veth-blue netns blue
ip link set veth-blue-br master v-net-0
ip -n red addr add 192.168.15.1/24 dev veth-red
ip -n blue addr add 192.168.15.2/24 dev veth-blue
ip -n red link set veth-red up
ip -n blue link set veth-blue up
ip link set veth-red-br up
ip link set veth-blue-br up
