"""Domain rules as pure functions: accident grades, rectification-assessment windows and
blacklist status. Every status function takes the as-of date (no hidden today()), so a build
is reproducible (issue 3)."""
