#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Firmware profile: cross-compile the freestanding core for Cortex-M4
# (-mcpu=cortex-m4 -mthumb -Os -mfloat-abi=soft) with the minimal config
# (cross/firmware_config.h), then
#   1. fail if the core includes any header beyond the freestanding set,
#   2. fail if any object references a soft-float helper, the heap or stdio
#      (every undefined symbol must be defined in the core or be on a short
#      allowlist of libgcc integer helpers and string.h functions),
#   3. print flash (text + rodata) and RAM (data + bss) per module.
# Usage: scripts/firmware-profile.sh [build-dir]   (default build/firmware)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/firmware}

# 1. Only <stdint.h> <stddef.h> <stdbool.h> <string.h> in core sources.
bad_includes=$(grep -nE '^\s*#\s*include\s*<' src/*/*.c src/*/*.h 2>/dev/null \
  | grep -vE '(_hosted|_posix|json)[a-z_]*\.[ch]:' \
  | grep -vE '<(stdint|stddef|stdbool|string)\.h>' || true)
if [ -n "$bad_includes" ]; then
  echo "firmware-profile: FAIL: core includes headers outside the freestanding set:"
  echo "$bad_includes"
  exit 1
fi

if [ ! -d "$build" ]; then
  meson setup "$build" --cross-file cross/cortex-m4.ini -Dfirmware=true \
    -Dconfig_file=../cross/firmware_config.h -Dtests=false -Dtools=false -Dbench=false \
    -Dpython=disabled -Db_staticpic=false --buildtype=minsize >/dev/null
else
  meson setup --reconfigure "$build" >/dev/null
fi
ninja -C "$build" >/dev/null

# The objects of the core library (meson names them after their source path).
objdir="$build/libprepay.a.p"

# 2. Undefined symbols must be defined in the core or allowlisted.
defined=$(arm-none-eabi-nm --defined-only -g "$objdir"/*.o | awk 'NF==3{print $3}' | sort -u)
undefined=$(arm-none-eabi-nm -u "$objdir"/*.o | awk '/ U /{print $2}' | sort -u)
allow='^(memcpy|memmove|memset|memcmp|memchr|strlen|strnlen|strcmp|strncmp|strchr|strrchr|__aeabi_(uldivmod|ldivmod|lmul|llsl|llsr|lasr|uidiv|uidivmod|idiv|idivmod|memcpy[48]?|memmove[48]?|memset[48]?|memclr[48]?|lcmp|ulcmp)|__(udivmoddi4|divmoddi4|udivdi3|divdi3|umoddi3|moddi3|clzsi2|clzdi2|ctzdi2|popcountsi2))$'
forbidden=""
for sym in $undefined; do
  # Here-strings, not pipes: with pipefail, grep -q closing a pipe early
  # would make the writer fail with SIGPIPE at random.
  if grep -qxF "$sym" <<< "$defined"; then continue; fi
  if grep -qE "$allow" <<< "$sym"; then continue; fi
  forbidden+="$sym "
done
if [ -n "$forbidden" ]; then
  echo "firmware-profile: FAIL: the core references symbols outside the freestanding allowlist"
  echo "(soft-float helpers, heap, stdio or other libc): $forbidden"
  for sym in $forbidden; do arm-none-eabi-nm -A -u "$objdir"/*.o | grep -w "$sym" | sed 's|.*/||'; done
  exit 1
fi

# 3. Flash and RAM per module (objects are named after their source path).
echo "firmware profile: Cortex-M4, -Os, soft-float ABI, config cross/firmware_config.h"
printf '%-12s %8s %8s %8s   (bytes; flash = text + rodata, RAM = data + bss)\n' module flash data bss
total_flash=0; total_data=0; total_bss=0
for module in common protocol tariff ledger allocation billing meter water events analysis report settlement payment outbox; do
  objs=$(ls "$objdir" | grep -E "^src_${module}_.*\.o$" || true)
  [ -n "$objs" ] || continue
  read -r text data bss < <(cd "$objdir" && arm-none-eabi-size -t $objs | tail -1 | awk '{print $1, $2, $3}')
  printf '%-12s %8d %8d %8d\n' "$module" "$text" "$data" "$bss"
  total_flash=$((total_flash + text)); total_data=$((total_data + data)); total_bss=$((total_bss + bss))
done
printf '%-12s %8d %8d %8d\n' total "$total_flash" "$total_data" "$total_bss"
# The protocol module by codec (each file is named after its codec).
for codec in dlt645 cjt188 modbus station; do
  objs=$(ls "$objdir" | grep -E "^src_protocol_${codec}_.*\.o$" || true)
  [ -n "$objs" ] || continue
  read -r text data bss < <(cd "$objdir" && arm-none-eabi-size -t $objs | tail -1 | awk '{print $1, $2, $3}')
  printf '  %-10s %8d   (protocol/%s, every function; a firmware links only what it calls)\n' "$codec" "$text" "$codec"
done
if [ "$total_data" -ne 0 ] || [ "$total_bss" -ne 0 ]; then
  echo "firmware-profile: FAIL: the core has mutable global state (data/bss must be 0)"
  exit 1
fi
echo "firmware-profile: OK (no float, heap or stdio symbols; no global mutable state)"

# 4. The water meter as a firmware links it (--gc-sections): cross/water_firmware.c
#    minus the same loop without the meter. Budget (issue 17): codec + purse + valve
#    under 16 KB of flash.
water_elf() {
  arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=soft -Os -std=c11 -ffunction-sections -fdata-sections \
    -Iinclude -DPREPAY_CONFIG_FILE='"../cross/firmware_config.h"' -D"$1" cross/water_firmware.c \
    -Wl,--gc-sections --specs=nosys.specs -L"$build" -lprepay -o "$build/water_firmware_$1.elf" 2>/dev/null
  arm-none-eabi-size "$build/water_firmware_$1.elf" | awk 'NR==2{print $1, $2 + $3}'
}
read -r base_flash base_ram < <(water_elf WATER_FIRMWARE_BASELINE)
read -r cjt_flash cjt_ram < <(water_elf WATER_FIRMWARE_CJT188)
read -r check_flash _ < <(water_elf WATER_FIRMWARE_CHECK)
read -r mb_flash mb_ram < <(water_elf WATER_FIRMWARE_MODBUS)
echo "water meter firmware (cross/water_firmware.c, --gc-sections, minus the bare loop):"
printf '  %-34s %6d bytes flash, %4d bytes static RAM (the meter struct)\n' "CJ/T 188 + purse + valve" \
  $((cjt_flash - base_flash)) $((cjt_ram - base_ram))
printf '  %-34s %6d bytes flash\n' "  + state check at boot" $((check_flash - base_flash))
printf '  %-34s %6d bytes flash, %4d bytes static RAM\n' "  + Modbus handler and codec" \
  $((mb_flash - base_flash)) $((mb_ram - base_ram))
if [ $((cjt_flash - base_flash)) -ge 16384 ]; then
  echo "firmware-profile: FAIL: the CJ/T 188 water meter needs 16 KB of flash or more (budget: under 16 KB)"
  exit 1
fi

# 4b. The electricity meter as a firmware links it (--gc-sections): cross/meter_firmware.c minus
#     the bare loop; without and with the supervision (events, load control, voltage statistics),
#     which is reached only through prepay_meter_attach_supervision() (issue 15). Reported, not a gate.
# meter_images LIBDIR TITLE [CFLAGS...]: the three images linked against LIBDIR/libprepay.a, and
# the two rows (plain, supervised) minus the bare loop.
meter_images() {
  local dir=$1 title=$2; shift 2
  local name flash ram sizes=()
  for name in METER_FIRMWARE_BASELINE METER_FIRMWARE_PLAIN METER_FIRMWARE_SUPERVISED; do
    arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=soft -Os -std=c11 -ffunction-sections -fdata-sections "$@" \
      -Iinclude -DPREPAY_CONFIG_FILE='"../cross/firmware_config.h"' -D"$name" cross/meter_firmware.c \
      -Wl,--gc-sections --specs=nosys.specs -L"$dir" -lprepay -o "$dir/meter_firmware_$name.elf" 2>/dev/null
    read -r flash ram < <(arm-none-eabi-size "$dir/meter_firmware_$name.elf" | awk 'NR==2{print $1, $2 + $3}')
    sizes+=("$flash" "$ram")
  done
  echo "$title"
  printf '  %-34s %6d bytes flash, %4d bytes static RAM (the meter; its tariff is const in a flash page)\n' "meter, tariff engine, DL/T 645" \
    $((sizes[2] - sizes[0])) $((sizes[3] - sizes[1]))
  printf '  %-34s %6d bytes flash, %4d bytes static RAM\n' "  + supervision attached" \
    $((sizes[4] - sizes[0])) $((sizes[5] - sizes[1]))
}
meter_images "$build" "electricity meter firmware (cross/meter_firmware.c, --gc-sections, minus the bare loop):"

# The same images with link-time optimisation, as a firmware would build it: a second static
# library from the same sources with meson's own compile commands (compile_commands.json) plus
# -flto, in "$build/lto/", and the firmware compiled and linked with -flto against it.
lto="$build/lto"
mkdir -p "$lto"
python3 - "$build" "$lto" <<'PY'
import concurrent.futures, json, os, shlex, subprocess, sys
build, lto = sys.argv[1], os.path.abspath(sys.argv[2])
jobs = []
for entry in json.load(open(os.path.join(build, "compile_commands.json"))):
    args, skip = [], False
    for arg in shlex.split(entry["command"]):
        if skip:
            skip = False
        elif arg in ("-o", "-MF", "-MQ"):
            skip = True
        elif arg != "-MD" and not arg.startswith(("-fcallgraph-info", "-fdiagnostics-color")):
            args.append(arg)
    out = os.path.join(lto, os.path.basename(entry["output"]))
    jobs.append((entry["directory"], args + ["-flto", "-o", out]))
def run(job):
    subprocess.run(job[1], cwd=job[0], check=True)
with concurrent.futures.ThreadPoolExecutor(2) as pool:
    list(pool.map(run, jobs))
PY
rm -f "$lto/libprepay.a"
arm-none-eabi-gcc-ar rcs "$lto/libprepay.a" "$lto"/*.o
meter_images "$lto" \
  "link-time optimisation, as a firmware would build it (-flto on the library and the firmware, minus the bare loop):" -flto

# 5. Worst-case stack of every public entry point (call graph x frame sizes).
python3 scripts/stack_usage.py "$objdir" prepay_

# 6. RAM a firmware allocates per object, under the firmware configuration.
sizes_obj="$build/firmware_sizes.o"
arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=soft -Os -std=c11 -ffreestanding -Iinclude \
  -DPREPAY_CONFIG_FILE='"../cross/firmware_config.h"' -c cross/firmware_sizes.c -o "$sizes_obj"
echo "state sizes (bytes, caller-owned RAM per object):"
arm-none-eabi-nm -S --size-sort "$sizes_obj" | while read -r _ size _ name; do
  case "$name" in size_of_*) printf '  %-28s %6d\n' "${name#size_of_}" "$((16#$size))" ;; esac
done
