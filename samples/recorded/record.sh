#!/bin/bash
# Re-records the programs of samples/recorded (issue 14's done-when list and the engine-gap
# programs) with 'vmareplay record --perf' and keeps each recording gzipped: NAME/trace.txt.gz
# and NAME/snapshots/*.smaps.gz (the maps files are left out: smaps has everything). Run from
# the project root on a machine where perf trace works (root, or perf_event_paranoid -1).
#   samples/recorded/record.sh [NAME...]      (default: all)
set -eu
root=$(pwd); here=$root/samples/recorded; src=$here/src
work=$(mktemp -d /tmp/vmareplay-rec.XXXXXX); trap 'rm -rf "$work"' EXIT
gcc -O1 -o "$work/cowfile" "$src/cowfile.c"
gcc -O1 -o "$work/gaps" "$src/gaps.c"
javac -d "$work" "$src/Alloc.java"
cp -r "$src/cproj" "$work/cproj"
declare -A cmd=(
  [java-version]="java -version"
  [java-g1-alloc]="java -XX:+UseG1GC -Xmx512m -cp $work Alloc"
  [node-graph]="node -e 'const a=[];for(let i=0;i<300000;i++)a.push({i,s:\"x\"+i,c:[i]});console.log(a.length)'"
  [gxx-compile]="g++ -O1 -c $src/hello.cpp -o $work/hello.o"
  [make-j2]="make -s -j2 -C $work/cproj"
  [python-threads]="python3 $src/threads4.py"
  [cowfile]="$work/cowfile $work/cow.bin"
  [gaps]="$work/gaps"
)
names=("$@"); [ ${#names[@]} -gt 0 ] || names=(java-version java-g1-alloc node-graph gxx-compile make-j2 python-threads cowfile gaps)
for n in "${names[@]}"; do
  out=$here/$n; rm -rf "$out"; mkdir -p "$out"
  (cd "$work" && eval "$root/vmareplay record --perf -o $work/$n.txt --command-output $work/$n.out -- ${cmd[$n]}") > "$out/record.log" 2>&1 || true
  echo "${cmd[$n]}" | sed "s|$work|WORK|g; s|$src|samples/recorded/src|g" > "$out/command.txt"
  gzip -9c "$work/$n.txt" > "$out/trace.txt.gz"
  mkdir -p "$out/snapshots"
  for f in "$work/$n.snapshots"/*.smaps; do [ -e "$f" ] && gzip -9c "$f" > "$out/snapshots/$(basename "$f").gz"; done
  rm -f "$out/record.log"
  echo "$n: $(du -sh "$out" | cut -f1)"
done
