import { Controller, Get, Param, Res, UseFilters } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/require-scopes.decorator';
import { ASSETS } from '../web/assets';
import { HostedPageFilter } from './hosted-page.filter';
import { PageNotFound } from './page-errors';

/**
 * The pages' stylesheets and scripts, on every host. Their URLs name their content's hash
 * (assets.ts), so browsers and CDNs keep them for a year without asking again.
 */
@Controller('assets')
@Public()
@SkipThrottle()
@ApiExcludeController()
@UseFilters(HostedPageFilter)
export class AssetsController {
  @Get(':hash/:name')
  serve(
    @Param('hash') hash: string,
    @Param('name') name: string,
    @Res() reply: FastifyReply,
  ): void {
    const asset = ASSETS.get(name);
    if (!asset || asset.url !== `/assets/${hash}/${name}`) throw new PageNotFound();
    void reply
      .headers({
        'content-type': asset.contentType,
        'cache-control': 'public, max-age=31536000, immutable',
      })
      .send(asset.body);
  }
}
