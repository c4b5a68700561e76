// Package serve is the backend of `bmtui serve`: an SSH server (wish v2 over
// golang.org/x/crypto/ssh) that shows one profile's bmtui session to the
// people helping with it. Everyone connected shares one state (a Hub): what
// an operator chooses, every session sees, live.
//
// # Who may connect
//
// Public keys only, from an OpenSSH authorized_keys file
// (Config.AuthorizedKeysPath, ~/.ssh/authorized_keys by default), read
// again whenever it changes. Password and keyboard-interactive logins are
// refused (the server does not offer them), and so is every key not in the
// file. The SSH user name is free and only names the person.
//
// # Roles
//
// Every key is a read-only viewer unless its line marks it as an operator
// with the standard environment option:
//
//	environment="BMTUI_ROLE=operator" ssh-ed25519 AAAAC3Nza... helper@example
//	ssh-ed25519 AAAAC3Nza... watcher@example
//	environment="BMTUI_ROLE=viewer" ssh-ed25519 AAAAC3Nza... also-a-viewer
//
// OpenSSH's sshd accepts the same line (it sets the variable only with
// PermitUserEnvironment, which does not matter here), so one file can serve
// both. An unknown BMTUI_ROLE value makes a viewer. Operators may choose
// resolutions, undo and apply; only one operator applies at a time, and a
// second one is told who is applying.
//
// Other options honoured, as sshd does: from="pattern-list" (addresses and
// address/masklen, with * and ? wildcards and ! negation; host names are
// not looked up and never match) and expiry-time="YYYYMMDD[HHMM[SS]][Z]".
// Lines with cert-authority (certificates are not supported) or no-pty
// (bmtui needs a terminal) are skipped. Other options are ignored.
//
// # Listening
//
// The server listens on 127.0.0.1:2222 by default. An address other
// machines can reach is refused unless Config.AllowRemote is set. The host
// key is generated on first run (ed25519, mode 0600) and reused; a key file
// others can read is refused.
//
// # Sessions
//
// Each session runs its own Bubble Tea program built by Config.ModelFactory
// with the session's terminal: its size and resizes, TERM, the colour
// profile its environment implies and NO_COLOR if the client sends it
// (ssh -o SendEnv=NO_COLOR, or -o SetEnv=NO_COLOR=1). The program asks the
// client's terminal for its background colour itself. Sessions without a
// terminal or with a command are refused, as are sessions beyond
// Config.MaxSessions; a session without keyboard input for
// Config.IdleTimeout is ended.
//
// Every connection, refusal and action is an Event: written as a JSON line
// to Config.AuditLog and passed to Config.OnEvent for the host's console;
// Server.Sessions lists who is connected.
//
// With Config.Redact, viewers' sessions report Session.Redacted and the
// model factory shows them copies of the trees made by package
// serve/redact; package serve/app is the factory over a loaded profile.
package serve
