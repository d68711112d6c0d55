/* ssh.h — a node only its host can reach, through the system's OpenSSH client.
 *
 * One ssh process (a control master: `ssh -N -M -S DIR/ctl -L DIR/epmd.sock:NODEHOST:4369`)
 * logs in with the user's own keys and configuration, in batch mode, and forwards the node's
 * epmd to a Unix socket in a private directory (0700). Once epmd has said the node's port,
 * the same master is asked (`ssh -S DIR/ctl -O forward`) to forward that port too. Nothing
 * is installed or run on the host; no TCP port is opened on this machine.
 *
 * The ssh process is watched by a small keeper process of ours, which ends it when we close
 * our end of a pipe: when the session ends, on error, on Ctrl-C, and also when this process
 * dies without cleaning up (the pipe closes with it), so no ssh outlives us.
 *
 * Ownership: ssh_start returns an ssh_fwd the caller ends with ssh_stop (ends the process,
 * removes the directory). */
#ifndef OA_SSH_H
#define OA_SSH_H

#include "transport.h"

typedef struct ssh_fwd ssh_fwd;

/* dest: [USER@]HOST[:PORT]; cmd: --ssh-command (NULL: ssh); node_host: the host part of the
 * node's name, as the ssh host resolves it. Waits for the login up to ms. Returns NULL
 * with err (one line: the login failed, the host key is unknown, ssh not found, ...). */
ssh_fwd *ssh_start(const char *dest, const char *cmd, const char *node_host, int ms, char *err);
/* The Unix socket forwarding the node's epmd. */
const char *ssh_epmd_path(const ssh_fwd *f);
/* A Unix socket forwarding HOST:PORT as the ssh host sees it (made once per port). */
int ssh_forward(ssh_fwd *f, const char *host, int port, char *path, size_t n, int ms, char *err);
/* After a failure through a forward: why ssh says it failed ("" when it said nothing). */
void ssh_why(ssh_fwd *f, char *out, size_t n);
void ssh_stop(ssh_fwd *f);

#endif
