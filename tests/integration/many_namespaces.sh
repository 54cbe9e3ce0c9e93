#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# 250 namespaces on one bridge: built, counted, and removed.
. "$(dirname "$0")/../lib.sh"

names=$(seq -f "n%g" 250)

t "many: up builds 250 namespaces on one bridge"
check_cmd "up" "$NSMON" up --subnet 10.20.0.0/23 $names
check_eq "namespaces" "$(lab_namespaces | wc -l)" 250
check_eq "bridge ports" "$(ip -j link show master v-net-0 | jq length)" 250
check_eq "n250 address" "$(ip -n n250 -j addr show veth-n250 | jq -r '.[0].addr_info[] | select(.family == "inet") | .local')" 10.20.0.250

t "many: the first and the last namespace talk, and it is counted"
check_ping_counted n1 veth-n1 n250 veth-n250 10.20.0.250

t "many: stats lists every namespace"
check_eq "namespaces in stats" "$("$NSMON" stats --json | jq '.namespaces | length')" 250
check_eq "ports in stats" "$("$NSMON" stats --json | jq '.bridges[0].ports | length')" 250

t "many: down removes all of it"
check_cmd "down" "$NSMON" down
check_nothing_left
