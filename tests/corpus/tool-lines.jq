# The tool's dump --json as the truth's canonical lines (tests/corpus/truth.escript).
(.apps[] | select(.master) | "top \(.name) \(.top // "none")"),
(.supervisors[] | select(.kind != "declared supervisor") | "sup \(.pid)"),
(.supervisors[] | select(.root != "") | "root \(.pid) \(.root)"),
(.supervisors[] | .pid as $s | .child_pids[] | "child \($s) \(.)"),
(.outside_trees[] | "out \(.)")
