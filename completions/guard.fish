# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_guard_global_optspecs
    string join \n h/help V/version
end

function __fish_guard_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_guard_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_guard_using_subcommand
    set -l cmd (__fish_guard_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c guard -n "__fish_guard_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c guard -n "__fish_guard_needs_command" -s V -l version -d 'Print version'
complete -c guard -n "__fish_guard_needs_command" -a "check" -d 'Check scripts, SQL, CI workflows and other files holding shell, without running anything'
complete -c guard -n "__fish_guard_needs_command" -a "lsp" -d 'A Language Server (LSP, on stdin/stdout): `guard check` diagnostics for editors, on open and on change'
complete -c guard -n "__fish_guard_needs_command" -a "explain" -d 'Show how a command line is understood (commands, facts, rules), or document a rule'
complete -c guard -n "__fish_guard_needs_command" -a "audit" -d 'Inspect and verify the audit log'
complete -c guard -n "__fish_guard_needs_command" -a "rules" -d 'List the effective rules, or test every rule against its examples'
complete -c guard -n "__fish_guard_needs_command" -a "hook" -d 'Answer an AI agent\'s pre-tool hook (JSON on stdin, decision JSON on stdout)'
complete -c guard -n "__fish_guard_needs_command" -a "trust" -d 'Approve the exact content of this project\'s .guard/rules files, so they may loosen rules'
complete -c guard -n "__fish_guard_needs_command" -a "approve" -d 'Approve one refused agent command once, from a person\'s own terminal'
complete -c guard -n "__fish_guard_needs_command" -a "completions" -d 'Print a shell completion script'
complete -c guard -n "__fish_guard_needs_command" -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c guard -n "__fish_guard_using_subcommand check" -l format -d 'Output format' -r -f -a "human\t'Diagnostics for people: rule id, message, the source line with a caret'
json\t'One JSON object (see docs/json.md)'
sarif\t'SARIF 2.1.0, for code scanning (GitHub, GitLab, IDEs); `check` only'
github\t'GitHub Actions workflow commands (`::error file=...`), one per finding; `check` only'
gcc\t'One line per finding, `file:line:col: severity: message [rule]`; `check` only'"
complete -c guard -n "__fish_guard_using_subcommand check" -l severity -d 'Exit 1 when a finding is at or above this level: deny, ask, warn or info' -r
complete -c guard -n "__fish_guard_using_subcommand check" -l shell -d 'Read files without a known name or a shebang as shell, also in directory walks (bash and sh are read alike)' -r -f -a "bash\t''
sh\t''"
complete -c guard -n "__fish_guard_using_subcommand check" -l sql-dialect -d 'The SQL dialect of .sql files (default: a `-- dialect: NAME` comment in the first lines, else postgres): postgres, mysql, sqlite, duckdb, generic' -r
complete -c guard -n "__fish_guard_using_subcommand check" -s c -l command -d 'Check this command line instead of files' -r
complete -c guard -n "__fish_guard_using_subcommand check" -l actor -d 'Decide as for this actor (person, agent, ci, automation) instead of the detected one' -r -f -a "person\t''
agent\t''
ci\t''
automation\t''"
complete -c guard -n "__fish_guard_using_subcommand check" -l environment -d 'Decide as if every command pointed at this environment (production, staging, ...) instead of the one read from its target' -r
complete -c guard -n "__fish_guard_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c guard -n "__fish_guard_using_subcommand lsp" -s h -l help -d 'Print help'
complete -c guard -n "__fish_guard_using_subcommand explain" -l format -d 'Output format' -r -f -a "human\t'Diagnostics for people: rule id, message, the source line with a caret'
json\t'One JSON object (see docs/json.md)'
sarif\t'SARIF 2.1.0, for code scanning (GitHub, GitLab, IDEs); `check` only'
github\t'GitHub Actions workflow commands (`::error file=...`), one per finding; `check` only'
gcc\t'One line per finding, `file:line:col: severity: message [rule]`; `check` only'"
complete -c guard -n "__fish_guard_using_subcommand explain" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c guard -n "__fish_guard_using_subcommand audit; and not __fish_seen_subcommand_from verify show help" -s h -l help -d 'Print help'
complete -c guard -n "__fish_guard_using_subcommand audit; and not __fish_seen_subcommand_from verify show help" -f -a "verify" -d 'Verify every record\'s signature and the hash chain; report the first bad line'
complete -c guard -n "__fish_guard_using_subcommand audit; and not __fish_seen_subcommand_from verify show help" -f -a "show" -d 'Print the last records of the log, one JSON object per line'
complete -c guard -n "__fish_guard_using_subcommand audit; and not __fish_seen_subcommand_from verify show help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c guard -n "__fish_guard_using_subcommand audit; and __fish_seen_subcommand_from verify" -l log -d 'The log (default: $GUARD_AUDIT_LOG or the state directory)' -r -F
complete -c guard -n "__fish_guard_using_subcommand audit; and __fish_seen_subcommand_from verify" -l pubkey -d 'A public key file (hex) to verify with, instead of the local key\'s; repeatable' -r -F
complete -c guard -n "__fish_guard_using_subcommand audit; and __fish_seen_subcommand_from verify" -s h -l help -d 'Print help'
complete -c guard -n "__fish_guard_using_subcommand audit; and __fish_seen_subcommand_from show" -l log -d 'The log (default: $GUARD_AUDIT_LOG or the state directory)' -r -F
complete -c guard -n "__fish_guard_using_subcommand audit; and __fish_seen_subcommand_from show" -s n -l last -d 'How many of the last records to print' -r
complete -c guard -n "__fish_guard_using_subcommand audit; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c guard -n "__fish_guard_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "verify" -d 'Verify every record\'s signature and the hash chain; report the first bad line'
complete -c guard -n "__fish_guard_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print the last records of the log, one JSON object per line'
complete -c guard -n "__fish_guard_using_subcommand audit; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c guard -n "__fish_guard_using_subcommand rules; and not __fish_seen_subcommand_from list test lint help" -s h -l help -d 'Print help'
complete -c guard -n "__fish_guard_using_subcommand rules; and not __fish_seen_subcommand_from list test lint help" -f -a "list" -d 'List the effective rules: id, action, source, summary'
complete -c guard -n "__fish_guard_using_subcommand rules; and not __fish_seen_subcommand_from list test lint help" -f -a "test" -d 'Run every rule\'s examples through the analyzer; exit 1 if any is wrong'
complete -c guard -n "__fish_guard_using_subcommand rules; and not __fish_seen_subcommand_from list test lint help" -f -a "lint" -d 'Report exceptions naming unknown rules, expired exceptions, shadowed rules and ignored loosening attempts of untrusted layers; exit 1 if there is any'
complete -c guard -n "__fish_guard_using_subcommand rules; and not __fish_seen_subcommand_from list test lint help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c guard -n "__fish_guard_using_subcommand rules; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c guard -n "__fish_guard_using_subcommand rules; and __fish_seen_subcommand_from test" -s h -l help -d 'Print help'
complete -c guard -n "__fish_guard_using_subcommand rules; and __fish_seen_subcommand_from lint" -s h -l help -d 'Print help'
complete -c guard -n "__fish_guard_using_subcommand rules; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the effective rules: id, action, source, summary'
complete -c guard -n "__fish_guard_using_subcommand rules; and __fish_seen_subcommand_from help" -f -a "test" -d 'Run every rule\'s examples through the analyzer; exit 1 if any is wrong'
complete -c guard -n "__fish_guard_using_subcommand rules; and __fish_seen_subcommand_from help" -f -a "lint" -d 'Report exceptions naming unknown rules, expired exceptions, shadowed rules and ignored loosening attempts of untrusted layers; exit 1 if there is any'
complete -c guard -n "__fish_guard_using_subcommand rules; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c guard -n "__fish_guard_using_subcommand hook" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c guard -n "__fish_guard_using_subcommand trust" -l list -d 'List the approvals instead'
complete -c guard -n "__fish_guard_using_subcommand trust" -l revoke -d 'Revoke the approvals of this project\'s files'
complete -c guard -n "__fish_guard_using_subcommand trust" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c guard -n "__fish_guard_using_subcommand approve" -l log -d 'The audit log the record is in (default: $GUARD_AUDIT_LOG or the state directory)' -r -F
complete -c guard -n "__fish_guard_using_subcommand approve" -l pubkey -d 'A public key file (hex) to verify the log with, instead of the local key\'s; repeatable' -r -F
complete -c guard -n "__fish_guard_using_subcommand approve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c guard -n "__fish_guard_using_subcommand completions" -s h -l help -d 'Print help'
complete -c guard -n "__fish_guard_using_subcommand help; and not __fish_seen_subcommand_from check lsp explain audit rules hook trust approve completions help" -f -a "check" -d 'Check scripts, SQL, CI workflows and other files holding shell, without running anything'
complete -c guard -n "__fish_guard_using_subcommand help; and not __fish_seen_subcommand_from check lsp explain audit rules hook trust approve completions help" -f -a "lsp" -d 'A Language Server (LSP, on stdin/stdout): `guard check` diagnostics for editors, on open and on change'
complete -c guard -n "__fish_guard_using_subcommand help; and not __fish_seen_subcommand_from check lsp explain audit rules hook trust approve completions help" -f -a "explain" -d 'Show how a command line is understood (commands, facts, rules), or document a rule'
complete -c guard -n "__fish_guard_using_subcommand help; and not __fish_seen_subcommand_from check lsp explain audit rules hook trust approve completions help" -f -a "audit" -d 'Inspect and verify the audit log'
complete -c guard -n "__fish_guard_using_subcommand help; and not __fish_seen_subcommand_from check lsp explain audit rules hook trust approve completions help" -f -a "rules" -d 'List the effective rules, or test every rule against its examples'
complete -c guard -n "__fish_guard_using_subcommand help; and not __fish_seen_subcommand_from check lsp explain audit rules hook trust approve completions help" -f -a "hook" -d 'Answer an AI agent\'s pre-tool hook (JSON on stdin, decision JSON on stdout)'
complete -c guard -n "__fish_guard_using_subcommand help; and not __fish_seen_subcommand_from check lsp explain audit rules hook trust approve completions help" -f -a "trust" -d 'Approve the exact content of this project\'s .guard/rules files, so they may loosen rules'
complete -c guard -n "__fish_guard_using_subcommand help; and not __fish_seen_subcommand_from check lsp explain audit rules hook trust approve completions help" -f -a "approve" -d 'Approve one refused agent command once, from a person\'s own terminal'
complete -c guard -n "__fish_guard_using_subcommand help; and not __fish_seen_subcommand_from check lsp explain audit rules hook trust approve completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c guard -n "__fish_guard_using_subcommand help; and not __fish_seen_subcommand_from check lsp explain audit rules hook trust approve completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c guard -n "__fish_guard_using_subcommand help; and __fish_seen_subcommand_from audit" -f -a "verify" -d 'Verify every record\'s signature and the hash chain; report the first bad line'
complete -c guard -n "__fish_guard_using_subcommand help; and __fish_seen_subcommand_from audit" -f -a "show" -d 'Print the last records of the log, one JSON object per line'
complete -c guard -n "__fish_guard_using_subcommand help; and __fish_seen_subcommand_from rules" -f -a "list" -d 'List the effective rules: id, action, source, summary'
complete -c guard -n "__fish_guard_using_subcommand help; and __fish_seen_subcommand_from rules" -f -a "test" -d 'Run every rule\'s examples through the analyzer; exit 1 if any is wrong'
complete -c guard -n "__fish_guard_using_subcommand help; and __fish_seen_subcommand_from rules" -f -a "lint" -d 'Report exceptions naming unknown rules, expired exceptions, shadowed rules and ignored loosening attempts of untrusted layers; exit 1 if there is any'
