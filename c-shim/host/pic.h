#pragma once
void pic_mask_all(void);
