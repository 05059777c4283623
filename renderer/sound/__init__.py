"""Sound: a scene's soundtrack made offline with numpy, deterministic for a seed.

synth (tones, shaped noise), music (the score), beds (ambience), foley (built-in sounds), voice
(a babble voice per character), loudness (EBU R128 measure and normalise), mix (a scene's
soundtrack and its subtitle cues). Samples are float32 at settings.SAMPLE_RATE; a soundtrack is
(n, 2) stereo. Nothing here starts a process: output/ muxes what this makes.
"""
