"""Domain rules as pure functions: accident grades, rectification-assessment windows, the
blacklist rule of a listing date and an entry's status, publicity periods and the date-range
convention, and the catalogue of every rule with its citation (docs/rules.md). Every status
function takes the as-of date (no hidden today()), so a build is reproducible."""
