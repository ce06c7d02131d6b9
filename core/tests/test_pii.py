import base64

import pytest
from django.db import connection
from django.test import override_settings

from core import pii
from petitions.models import Petitioner

OLD_KEY = base64.urlsafe_b64encode(b"o" * 32).decode()
NEW_KEY = base64.urlsafe_b64encode(b"n" * 32).decode()


@pytest.mark.django_db
def test_id_and_phone_are_encrypted_at_rest():
    p = Petitioner.objects.create(name="张三", id_number="340102199001011234", phone="13812345678")
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM petitions_petitioner WHERE id = %s", [p.pk])
        raw_id, raw_phone = cursor.fetchone()
    assert "340102199001011234" not in raw_id
    assert "13812345678" not in raw_phone
    reloaded = Petitioner.objects.get(pk=p.pk)
    assert reloaded.id_number == "340102199001011234"
    assert reloaded.phone == "13812345678"


def test_blind_index_is_keyed_normalised_and_purpose_separated():
    a = pii.blind_index("34010219900101123x", purpose="id")
    assert a == pii.blind_index(" 34010219900101123X ", purpose="id")
    assert a != pii.blind_index("34010219900101123X", purpose="phone")
    with override_settings(PII_BLIND_INDEX_KEY="another-key"):
        assert pii.blind_index("34010219900101123X", purpose="id") != a
    assert pii.blind_index("", purpose="id") == ""


def test_masking():
    assert pii.mask_id_number("340102199001011234") == "3401**********1234"
    assert pii.mask_phone("13812345678") == "138****5678"
    assert pii.mask_name("张三") == "张*"
    assert pii.mask_name("欧阳明月") == "欧**月"
    assert pii.mask_name("") == ""


def test_key_rotation_old_tokens_still_readable_and_rotate_reencrypts():
    with override_settings(PII_KEYS=[OLD_KEY]):
        token = pii.encrypt("13800000000")
    with override_settings(PII_KEYS=[NEW_KEY, OLD_KEY]):
        assert pii.decrypt(token) == "13800000000"
        rotated = pii.rotate(token)
    with override_settings(PII_KEYS=[NEW_KEY]):
        assert pii.decrypt(rotated) == "13800000000"
        with pytest.raises(Exception, match="cannot be decrypted"):
            pii.decrypt(token)


@pytest.mark.django_db
def test_rotate_pii_keys_command_reencrypts_rows():
    from django.core.management import call_command

    with override_settings(PII_KEYS=[OLD_KEY]):
        p = Petitioner.objects.create(name="李四", phone="13700000000")
    with override_settings(PII_KEYS=[NEW_KEY, OLD_KEY]):
        call_command("rotate_pii_keys")
    with override_settings(PII_KEYS=[NEW_KEY]):
        assert Petitioner.objects.get(pk=p.pk).phone == "13700000000"
