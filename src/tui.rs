//! Terminal set-up and restore, the event stream, signals, suspend for `$EDITOR`.
