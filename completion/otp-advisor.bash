# bash completion for otp-advisor: commands, the options each command takes (asked of the
# program itself, so they never drift), rule ids, and node names from `epmd -names`.
_otp_advisor_nodes()
{
    local host
    host=$(hostname -s 2>/dev/null || hostname)
    epmd -names 2>/dev/null | awk -v h="$host" '/^name / { print $2 "@" h }'
}

_otp_advisor()
{
    local cur prev cmd i
    COMPREPLY=()
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD - 1]}
    local commands="shell snapshot dump check report watch diff mcp explain help"
    cmd=""
    for ((i = 1; i < COMP_CWORD; i++)); do
        case " $commands " in *" ${COMP_WORDS[i]} "*) cmd=${COMP_WORDS[i]}; break ;; esac
    done
    case $prev in
        --from | -o | --output | --cookie-file | --source-root | --tls | --tls-cert | --tls-key | --tls-cacert)
            COMPREPLY=($(compgen -f -- "$cur"))
            return ;;
        --rule | --ignore)
            COMPREPLY=($(compgen -W "$(otp-advisor explain 2>/dev/null | awk '/^[a-z-]+ — / { print $1 }')" -- "$cur"))
            return ;;
        --fail-on | -s | --severity)
            COMPREPLY=($(compgen -W "info warning critical" -- "$cur"))
            return ;;
        --set)
            COMPREPLY=($(compgen -W "$(otp-advisor explain thresholds 2>/dev/null | awk '{ print $1 "=" }')" -- "$cur"))
            compopt -o nospace 2>/dev/null
            return ;;
        --tls-verify)
            COMPREPLY=($(compgen -W "peer none" -- "$cur"))
            return ;;
        --ssh)
            COMPREPLY=($(compgen -A hostname -- "$cur"))
            return ;;
        --cookie | --name | --sname | --window | --timeout | --sup-timeout | --address | --ssh-command)
            return ;;
    esac
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(otp-advisor help "${cmd:-shell}" 2>/dev/null | grep -E '^  -' | grep -oE -- '(^| )-[-a-zA-Z]+' | tr -d ' ')" -- "$cur"))
        return
    fi
    case $cmd in
        "") COMPREPLY=($(compgen -W "$commands $(_otp_advisor_nodes)" -- "$cur")) ;;
        explain) COMPREPLY=($(compgen -W "thresholds $(otp-advisor explain 2>/dev/null | awk '/^[a-z-]+ — / { print $1 }')" -- "$cur")) ;;
        help) COMPREPLY=($(compgen -W "$commands" -- "$cur")) ;;
        diff) COMPREPLY=($(compgen -f -- "$cur")) ;;
        *) COMPREPLY=($(compgen -W "$(_otp_advisor_nodes)" -- "$cur")) ;;
    esac
}
complete -F _otp_advisor otp-advisor
