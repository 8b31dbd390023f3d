#pragma once
#define WISP_VERSION "0.1.0"                    // package.json "version"
