# ~/.bashrc: a typical developer's interactive shell setup (fixture for tests/ordinary.rs).

# If not running interactively, don't do anything
case $- in
    *i*) ;;
      *) return;;
esac

HISTCONTROL=ignoreboth
HISTSIZE=10000
shopt -s histappend
shopt -s checkwinsize

if [ -x /usr/bin/dircolors ]; then
    alias ls='ls --color=auto'
    alias grep='grep --color=auto'
fi
alias ll='ls -alF'
alias gs='git status -sb'

[ -f ~/.bash_aliases ] && . ~/.bash_aliases

export EDITOR=vim
export PATH="$HOME/.local/bin:$PATH"
. "$HOME/.cargo/env"
