/* version.h — this build's version: in --version, in every snapshot (tool_version), and in
 * the Debian package. */
#ifndef OA_VERSION_H
#define OA_VERSION_H

#define OA_VERSION "0.2.0"

#endif
