"""Phone numbers never reach a log line in plain text (the handler filter in LOGGING)."""

import io
import logging

from cskh.core.logs import MaskPhoneNumbers, mask_phones


def test_mask_phones_in_every_usual_form():
    assert mask_phones("gọi 0901234567 lúc 9h") == "gọi 0901***567 lúc 9h"
    assert mask_phones("+84901234567") == "0901***567"
    assert mask_phones("0901 234 567 và 0912.888.777") == "0901***567 và 0912***777"
    assert mask_phones("case PE01000999888 id 12345") == "case PE01000999888 id 12345"
    assert mask_phones("năm 2026, 10 cuộc") == "năm 2026, 10 cuộc"


def test_filter_masks_arguments_and_tracebacks():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskPhoneNumbers())
    logger = logging.getLogger("cskh.test.masking")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("no customer for %s", "+84901234567")
        try:
            raise ValueError("bad number 0912888777")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert "0901***567" in text and "0912***777" in text
    assert "901234567" not in text and "912888777" not in text


def test_logging_config_masks_every_console_record(settings):
    assert "mask_phones" in settings.LOGGING["handlers"]["console"]["filters"]
