"""Image-to-image GANs of the lecture's "Advances in GAN" table: paired translation (pix2pix),
super-resolution (SRGAN, ESRGAN), unpaired translation (CycleGAN) and multi-domain / attribute
editing (StarGAN, AttGAN). Pure objectives live in their own modules; the registered builders
(the engine glue) in the *_model modules."""
