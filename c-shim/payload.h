// The built-in default configuration and guest (generated out/gen/payload.c, from boot/).
#pragma once
extern const unsigned char wisp_default_config[];
extern const unsigned long long wisp_default_config_size;
extern const unsigned char wisp_default_guest[];
extern const unsigned long long wisp_default_guest_size;
#define DEFAULT_IMAGE_NAME "default.bin"        // the image name that means the built-in guest
