"""Initial schema.

Voter codes and ballots share no column but round and group; ballots,
answers and comments are WITHOUT ROWID on SQLite so their physical order
says nothing about the order of arrival.

Revision ID: 0001
Revises:
Create Date: 2026-11-23 21:15:22.674953

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('organisation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['parent_id'], ['organisation.id'], name=op.f('fk_organisation_parent_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation'))
    )
    op.create_table('round',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=40), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('template', sa.String(length=80), nullable=True),
    sa.Column('access', sa.String(length=10), nullable=False),
    sa.Column('anonymity_min', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('rules_json', sa.Text(), nullable=False),
    sa.Column('created_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], name=op.f('fk_round_org_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round')),
    sa.UniqueConstraint('slug', name=op.f('uq_round_slug'))
    )
    op.create_table('user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('password_hash', sa.String(length=256), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['org_id'], ['organisation.id'], name=op.f('fk_user_org_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user')),
    sa.UniqueConstraint('username', name=op.f('uq_user_username'))
    )
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('actor', sa.String(length=80), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_audit_event_round_id_round')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_round_id'), ['round_id'], unique=False)

    op.create_table('criterion',
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('weight', sa.String(length=40), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_criterion_round_id_round')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_criterion')),
    sa.UniqueConstraint('round_id', 'key', name=op.f('uq_criterion_round_id'))
    )
    with op.batch_alter_table('criterion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_criterion_round_id'), ['round_id'], unique=False)

    op.create_table('scale_option',
    sa.Column('label', sa.String(length=80), nullable=False),
    sa.Column('points', sa.String(length=40), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_scale_option_round_id_round')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scale_option')),
    sa.UniqueConstraint('round_id', 'key', name=op.f('uq_scale_option_round_id'))
    )
    with op.batch_alter_table('scale_option', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scale_option_round_id'), ['round_id'], unique=False)

    op.create_table('subject',
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('unit', sa.String(length=200), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_subject_round_id_round')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subject')),
    sa.UniqueConstraint('round_id', 'key', name=op.f('uq_subject_round_id'))
    )
    with op.batch_alter_table('subject', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subject_round_id'), ['round_id'], unique=False)

    op.create_table('voter_group',
    sa.Column('label', sa.String(length=80), nullable=False),
    sa.Column('weight', sa.String(length=40), nullable=False),
    sa.Column('expected', sa.Integer(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_voter_group_round_id_round')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voter_group')),
    sa.UniqueConstraint('round_id', 'key', name=op.f('uq_voter_group_round_id'))
    )
    with op.batch_alter_table('voter_group', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_voter_group_round_id'), ['round_id'], unique=False)

    op.create_table('ballot',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('receipt_hash', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['group_id'], ['voter_group.id'], name=op.f('fk_ballot_group_id_voter_group')),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_ballot_round_id_round')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ballot')),
    sa.UniqueConstraint('receipt_hash', name=op.f('uq_ballot_receipt_hash')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('ballot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ballot_round_id'), ['round_id'], unique=False)

    op.create_table('comment',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_comment_round_id_round')),
    sa.ForeignKeyConstraint(['subject_id'], ['subject.id'], name=op.f('fk_comment_subject_id_subject')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comment')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comment_round_id'), ['round_id'], unique=False)

    op.create_table('voter_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('used_on', sa.Date(), nullable=True),
    sa.Column('batch', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['voter_group.id'], name=op.f('fk_voter_code_group_id_voter_group')),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_voter_code_round_id_round')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_voter_code')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_voter_code_code_hash'))
    )
    with op.batch_alter_table('voter_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_voter_code_round_id'), ['round_id'], unique=False)

    op.create_table('answer',
    sa.Column('ballot_id', sa.String(length=32), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.Integer(), nullable=False),
    sa.Column('option_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['ballot_id'], ['ballot.id'], name=op.f('fk_answer_ballot_id_ballot')),
    sa.ForeignKeyConstraint(['criterion_id'], ['criterion.id'], name=op.f('fk_answer_criterion_id_criterion')),
    sa.ForeignKeyConstraint(['option_id'], ['scale_option.id'], name=op.f('fk_answer_option_id_scale_option')),
    sa.ForeignKeyConstraint(['subject_id'], ['subject.id'], name=op.f('fk_answer_subject_id_subject')),
    sa.PrimaryKeyConstraint('ballot_id', 'subject_id', 'criterion_id', name=op.f('pk_answer')),
    sqlite_with_rowid=False
    )


def downgrade():
    op.drop_table('answer')
    with op.batch_alter_table('voter_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_voter_code_round_id'))

    op.drop_table('voter_code')
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comment_round_id'))

    op.drop_table('comment')
    with op.batch_alter_table('ballot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ballot_round_id'))

    op.drop_table('ballot')
    with op.batch_alter_table('voter_group', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_voter_group_round_id'))

    op.drop_table('voter_group')
    with op.batch_alter_table('subject', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subject_round_id'))

    op.drop_table('subject')
    with op.batch_alter_table('scale_option', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scale_option_round_id'))

    op.drop_table('scale_option')
    with op.batch_alter_table('criterion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_criterion_round_id'))

    op.drop_table('criterion')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_round_id'))

    op.drop_table('audit_event')
    op.drop_table('user')
    op.drop_table('round')
    op.drop_table('organisation')
